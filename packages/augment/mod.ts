/**
 * @module
 * @echojepa/augment — under construction; see the project issues.
 */
export {};
