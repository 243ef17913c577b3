/**
 * @module
 * @echojepa/vit — under construction; see the project issues.
 */
export {};
