/**
 * @module
 * @echojepa/perturb — under construction; see the project issues.
 */
export {};
