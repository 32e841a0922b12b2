/**
 * The signed text of an OpenPGP cleartext-signed message (RFC 9580 §7), without checking
 * the signature: the browse page only displays what a `.sjson` says, Juju verifies it.
 * Returns `undefined` when the text is not cleartext-signed.
 */
export function clearsignedText(message: string): string | undefined {
  const lines = message.split(/\r?\n/);
  let i = lines.findIndex((line) => line.trimEnd() === "-----BEGIN PGP SIGNED MESSAGE-----");
  if (i === -1) return undefined;
  // Armor headers (`Hash: …`) end at the first empty line.
  i += 1;
  while (i < lines.length && lines[i]?.trim() !== "") i += 1;
  const body: string[] = [];
  for (i += 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trimEnd() === "-----BEGIN PGP SIGNATURE-----") return body.join("\n");
    body.push(line.startsWith("- ") ? line.slice(2) : line);
  }
  return undefined;
}
