/**
 * The client bundle's chunk graph, as the bundler itself reports it when it emits: every chunk group (one per
 * `import()`: Docusaurus names each route module's group after its chunk name, see `.docusaurus/registry.js`), the
 * files its chunks emit (JavaScript, CSS, and auxiliary files such as images and source maps), the source modules
 * in it, and the groups it loads on demand. Works with webpack 5 and Rspack (the same API
 * react-loadable-ssr-addon, which Docusaurus uses for its client manifest, relies on).
 */
import { PLUGIN_NAME } from "../client/plugin.js";

export interface ChunkGroupInfo {
  /** The chunk name for named groups (route modules, "main"), else null. */
  name: string | null;
  /** Loaded before any route: an entry point's group ("main"). */
  initial: boolean;
  files: string[];
  /** Absolute paths of the source modules in the group's chunks (the parts of concatenated modules included). */
  modules: string[];
  /** Indexes of the groups this one loads on demand (an `import()` inside one of its modules). */
  children: number[];
}

export interface ChunkGraph {
  groups: ChunkGroupInfo[];
}

// The few members of the bundler's objects read here, typed structurally so webpack's and Rspack's both fit.
interface BundlerModule {
  nameForCondition?: () => string | null | undefined;
  modules?: Iterable<BundlerModule>;
}
interface BundlerChunk {
  files: Iterable<string>;
  auxiliaryFiles: Iterable<string>;
  groupsIterable: Iterable<BundlerChunkGroup>;
}
interface BundlerChunkGroup {
  name?: string | null;
  chunks: BundlerChunk[];
  childrenIterable: Iterable<BundlerChunkGroup>;
  isInitial(): boolean;
}
interface BundlerCompilation {
  chunks: Iterable<BundlerChunk>;
  chunkGraph: { getChunkModules(chunk: BundlerChunk): Iterable<BundlerModule> };
}
export interface BundlerCompiler {
  hooks: { emit: { tap(name: string, fn: (compilation: BundlerCompilation) => void): void } };
}

function modulePaths(module: BundlerModule, out: Set<string>): void {
  const own = module.nameForCondition?.();
  if (own) out.add(own.split("?")[0]!);
  for (const inner of module.modules ?? []) modulePaths(inner, out);
}

export function readChunkGraph(compilation: BundlerCompilation): ChunkGraph {
  const index = new Map<BundlerChunkGroup, number>();
  const groups: BundlerChunkGroup[] = [];
  const add = (g: BundlerChunkGroup) => {
    if (!index.has(g)) {
      index.set(g, groups.length);
      groups.push(g);
    }
  };
  for (const chunk of compilation.chunks) for (const g of chunk.groupsIterable) add(g);
  // Children reachable only through other groups (every group has a chunk, but be thorough).
  for (let i = 0; i < groups.length; i++) for (const child of groups[i]!.childrenIterable) add(child);
  return {
    groups: groups.map((g) => {
      const files = new Set<string>();
      const modules = new Set<string>();
      for (const chunk of g.chunks) {
        for (const f of chunk.files) files.add(f);
        for (const f of chunk.auxiliaryFiles) files.add(f);
        for (const m of compilation.chunkGraph.getChunkModules(chunk)) modulePaths(m, modules);
      }
      return {
        name: g.name ?? null,
        initial: g.isInitial(),
        files: [...files].sort(),
        modules: [...modules].sort(),
        children: [...g.childrenIterable].map((c) => index.get(c)!),
      };
    }),
  };
}

/** A bundler plugin that keeps the client compilation's chunk graph for the theme's postBuild. */
export class ChunkGraphRecorder {
  graph: ChunkGraph | null = null;

  plugin() {
    return {
      apply: (compiler: BundlerCompiler) => {
        compiler.hooks.emit.tap(PLUGIN_NAME, (compilation) => {
          this.graph = readChunkGraph(compilation);
        });
      },
    };
  }
}
