// Files the API streams to the browser (attachments, CSV exports) are handed to the person as a
// download: the chunks become one Blob behind a short-lived object URL.

/** saveChunks offers the streamed bytes as a file named fileName. */
export function saveChunks(chunks: Uint8Array<ArrayBuffer>[], fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob(chunks, { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
