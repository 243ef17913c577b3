/**
 * @module
 * @echojepa/video — read echocardiography videos (DICOM, AVI, MP4) into one lazily decoded {@link Video} type,
 * write synthetic AVI/DICOM files, preprocess echo frames (grey, sector detection and masking), sample clips with
 * EchoJEPA's frame-rate semantics, read dataset manifests and build a clip cache.
 *
 * @example
 * ```ts
 * import { openVideo, writeAvi, writeDicom } from "@echojepa/video";
 *
 * // Write a tiny synthetic EchoNet-style AVI and a DICOM cine, then read them back.
 * const frames = Array.from({ length: 8 }, (_, t) => new Uint8Array(112 * 112).fill(20 * t));
 * const avi = writeAvi(frames, { width: 112, height: 112, channels: 1, fps: 50 });
 * const dcm = writeDicom(frames, { width: 112, height: 112, channels: 1, fps: 50, transferSyntax: "rle" });
 * for (const bytes of [avi, dcm]) {
 *   const video = await openVideo(bytes);
 *   console.log(video.format, video.frameCount, video.fps, (await video.readFrame(7))[0]);
 * }
 * ```
 */
export { asVideoError, VideoError, type VideoErrorKind } from "./errors.ts";
export {
  type FrameDecoder,
  makeVideo,
  type PixelRegion,
  type PixelSpacing,
  type Video,
  type VideoFormat,
  type VideoInfo,
} from "./video.ts";
export { openVideo, type OpenVideoOptions, sniffFormat } from "./open_video.ts";
export { type AviLayout, type AviOpenOptions, isMjpegCodec, openAvi, parseAviLayout } from "./avi_reader.ts";
export { type AviWriteOptions, writeAvi } from "./avi_writer.ts";
export { type DicomOpenOptions, openDicom } from "./dicom_reader.ts";
export {
  type DicomWriteOptions,
  type DicomWritePhotometric,
  type DicomWriteSyntax,
  writeDicom,
} from "./dicom_writer.ts";
export { TRANSFER_SYNTAX, transferSyntaxName } from "./dicom_uids.ts";
export { DEFAULT_FPS } from "./dicom_timing.ts";
export { type Mp4OpenOptions, type Mp4TrackInfo, openMp4, probeMp4 } from "./mp4_reader.ts";
export { hasWebCodecs, openMp4WebCodecs } from "./mp4_webcodecs.ts";
export {
  decodeWithFfmpeg,
  FFMPEG_INSTALL_HINT,
  type FfmpegDecodeOptions,
  findFfmpeg,
  lazyFfmpegFrames,
} from "./ffmpeg.ts";
export { decodeJpeg, encodeJpeg } from "./jpeg.ts";
export {
  applyMask,
  boundingBox,
  cropStack,
  detectSector,
  type Sector,
  type SectorOptions,
  squareBox,
  toGrey,
} from "./sector.ts";
export { resizeStack } from "./resize.ts";
export {
  type ClipSamplingOptions,
  FrameRateTooLowError,
  frameStepForFps,
  type MultiClipOptions,
  type RandomSource,
  sampleClipByTime,
  sampleClipIndices,
  sampleMultiClipIndices,
  type TimeSamplingOptions,
} from "./clip_sampling.ts";
export {
  assignSplits,
  type EchoNetOptions,
  formatReferenceCsv,
  loadManifest,
  type ManifestEntry,
  MISSING_VIEW,
  parseEchoNetFileList,
  parseReferenceCsv,
  scanDirectory,
  type ScanOptions,
  type SplitFractions,
} from "./manifest.ts";
export {
  clipFromVideo,
  countSkips,
  iterateClips,
  loadClip,
  type LoadClipOptions,
  loadClipOrSubstitute,
  type LoadedClip,
  type ManifestClip,
  type SkipCounts,
  type SkippedFile,
  type SubstituteOptions,
} from "./clip_loader.ts";
export {
  type CachedClipRecord,
  ClipCacheError,
  type ClipCacheIndex,
  parseCacheIndex,
  parseShardHeader,
  type PrepareSettings,
} from "./clip_cache_format.ts";
export {
  loadSourceClips,
  prepareClipCache,
  type PrepareOptions,
  type PrepareProgress,
  type PrepareSummary,
  type SourceResult,
} from "./clip_cache_build.ts";
export { type ClipCache, openClipCache } from "./clip_cache_reader.ts";
export { type ClipSettings, readClipSegments, type SegmentClip } from "./clip_segments.ts";
export { type AtomicContent, FileWriteError, writeFileAtomic } from "./atomic_write.ts";
export { encodeBaselineJpeg } from "./jpeg_encoder.ts";
export { encodeLosslessJpeg } from "./jpeg_lossless_encoder.ts";
