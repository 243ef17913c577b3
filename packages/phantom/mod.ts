/**
 * @module
 * @echojepa/phantom — under construction; see the project issues.
 */
export {};
