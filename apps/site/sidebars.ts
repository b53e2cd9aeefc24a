import type { SidebarsConfig } from "@docusaurus/plugin-content-docs";

const sidebars: SidebarsConfig = {
  textbook: ["intro", "variables", "functions", "data", "study-habits"],
};

export default sidebars;
