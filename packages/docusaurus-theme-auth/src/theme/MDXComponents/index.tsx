import MDXComponents from "@theme-init/MDXComponents";
import ForProficiency from "@theme/ForProficiency";
import ForRole from "@theme/ForRole";

/** Personalised blocks are available in every MDX file without an import. */
export default {
  ...MDXComponents,
  ForProficiency,
  ForRole,
};
