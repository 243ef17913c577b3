/**
 * Reads a real echo cine for the phantom's realism report: decoded to grey, the sector cropped square and resized
 * to 112×112 as EchoNet does. It lives here because the phantom package may use only the video package's writers.
 *
 * @module
 */

import { type Clip, clipDims } from "@echojepa/core";
import { cropStack, detectSector, openVideo, resizeStack, squareBox, toGrey } from "@echojepa/video";

/** The report's tile size. */
const TILE = 112;

/** Reads `path` as a grey `[T, 112, 112]` clip, or says why it could not be read. */
export async function readRealCine(path: string | URL): Promise<Clip<Uint8Array> | { error: string }> {
  try {
    const video = await openVideo(path instanceof URL ? path.pathname : path);
    const stack = toGrey(await video.readAll());
    video.close();
    const sector = detectSector(stack);
    const { width, height } = clipDims(stack);
    return resizeStack(cropStack(stack, squareBox(sector.box, width, height)), TILE, TILE);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
