/**
 * @module
 * @echojepa/probe — under construction; see the project issues.
 */
export {};
