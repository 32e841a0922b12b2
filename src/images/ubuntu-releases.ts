/**
 * Ubuntu releases by codename, from https://wiki.ubuntu.com/Releases (LTS and interim).
 * Juju names image products by version (`com.ubuntu.cloud:server:24.04:amd64`), while
 * Glance's `os_version` is often the codename (`noble`).
 */
export const UBUNTU_RELEASES: Readonly<Record<string, string>> = Object.freeze({
  warty: "4.10",
  hoary: "5.04",
  breezy: "5.10",
  dapper: "6.06",
  edgy: "6.10",
  feisty: "7.04",
  gutsy: "7.10",
  hardy: "8.04",
  intrepid: "8.10",
  jaunty: "9.04",
  karmic: "9.10",
  lucid: "10.04",
  maverick: "10.10",
  natty: "11.04",
  oneiric: "11.10",
  precise: "12.04",
  quantal: "12.10",
  raring: "13.04",
  saucy: "13.10",
  trusty: "14.04",
  utopic: "14.10",
  vivid: "15.04",
  wily: "15.10",
  xenial: "16.04",
  yakkety: "16.10",
  zesty: "17.04",
  artful: "17.10",
  bionic: "18.04",
  cosmic: "18.10",
  disco: "19.04",
  eoan: "19.10",
  focal: "20.04",
  groovy: "20.10",
  hirsute: "21.04",
  impish: "21.10",
  jammy: "22.04",
  kinetic: "22.10",
  lunar: "23.04",
  mantic: "23.10",
  noble: "24.04",
  oracular: "24.10",
  plucky: "25.04",
  questing: "25.10",
});

// `24.04`, a point release `24.04.2`, optionally followed by `LTS` (`24.04.1 LTS`).
const VERSION = /^(\d{1,2}\.\d{2})(?:\.\d+)?(?:\s+lts)?$/i;

/**
 * The Ubuntu version Juju puts in product ids, from a version (`24.04`, `24.04.1 LTS`) or a
 * codename, alone or with its adjective (`noble`, `Noble Numbat`). `undefined` when the
 * value is neither: an unknown codename is never guessed at, whereas a well-formed version
 * newer than this table is accepted as it is.
 */
export function parseUbuntuVersion(value: string): string | undefined {
  const text = value.trim();
  const version = VERSION.exec(text);
  if (version?.[1] !== undefined) return version[1];
  const codename = text.split(/\s+/)[0]?.toLowerCase() ?? "";
  return Object.hasOwn(UBUNTU_RELEASES, codename) ? UBUNTU_RELEASES[codename] : undefined;
}
