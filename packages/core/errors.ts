/**
 * The base of the project's typed errors: a caller can tell an EchoJEPA error (bad input, a malformed file, an
 * unsupported option) from a bug by `instanceof EchoJepaError`, and by `name` which kind it is.
 *
 * @module
 */

/** Base class of the errors the packages throw on purpose; `name` is the subclass's name. */
export class EchoJepaError extends Error {
  /** An error with a message (and an optional cause, as `Error`'s). */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
