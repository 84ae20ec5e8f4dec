/**
 * An endless request body that counts how often it is read from. `highWaterMark: 0` means it
 * is never pulled before someone reads, so `pulls() === 0` proves a body was refused unread.
 */
export function countedBody(): { stream: ReadableStream<Uint8Array>; pulls: () => number } {
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(1024));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulls: () => pulls };
}
