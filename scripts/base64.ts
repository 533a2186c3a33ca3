/** Base64 of `bytes` (standard alphabet, padded): what `atob` reads back. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
