/**
 * @module
 * @echojepa/jepa — under construction; see the project issues.
 */
export {};
