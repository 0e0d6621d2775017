/**
 * Decodes standard base64 with `atob`, which Node (16+), browsers and workers all
 * have, so the adapters' bytes need no `Buffer` and no `node:` import.
 */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
