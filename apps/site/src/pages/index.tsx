import React, { type ReactNode } from "react";
import Layout from "@theme/Layout";
import Link from "@docusaurus/Link";

export default function Home(): ReactNode {
  return (
    <Layout title="Home" description="An example textbook with reader accounts">
      <main className="container margin-vert--xl">
        <h1>Python for Builders</h1>
        <p>A short textbook whose chapters adapt to your Python level and your role.</p>
        <p>
          <Link className="button button--primary" to="/docs/intro">
            Read the introduction
          </Link>{" "}
          <Link className="button button--secondary" to="/docs/variables">
            Start chapter 1
          </Link>
        </p>
      </main>
    </Layout>
  );
}
