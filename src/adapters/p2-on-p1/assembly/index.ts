// Entry point: every export of these modules becomes a canonical-ABI core
// export (build.mjs renames them; see signatures.ts).
export * from "./cli";
export * from "./errors";
export * from "./poll";
export * from "./streams";
export * from "./clocks";
export * from "./random";
export * from "./filesystem";
export * from "./sockets";
export * from "./http-fields";
export * from "./http";
