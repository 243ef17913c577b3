/**
 * @module
 * The reference backend of `@echojepa/tensor`: the kernel catalogue in plain TypeScript, the oracle for the others.
 */
export { createReferenceBackend, ReferenceBackend } from "./reference_backend.ts";
