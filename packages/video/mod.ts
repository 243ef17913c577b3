/**
 * @module
 * @echojepa/video — under construction; see the project issues.
 */
export {};
