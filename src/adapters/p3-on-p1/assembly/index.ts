// Entry point: WASI 0.2 on p1 (every p2-on-p1 export) plus the WASI 0.3 runtime; build.mjs
// renames exports to canonical-ABI names (see signatures.ts).
export * from "../../p2-on-p1/assembly/index";
export * from "./async";
export * from "./wasi";
export * from "./filesystem";
