import ComponentTypes from "@theme-init/NavbarItem/ComponentTypes";
import AuthNavbarItem from "@theme/NavbarItem/AuthNavbarItem";

/** Adds `{ type: "custom-auth" }` to the navbar item types a site can use in themeConfig.navbar.items. */
export default {
  ...ComponentTypes,
  "custom-auth": AuthNavbarItem,
};
