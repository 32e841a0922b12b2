const DAY_MS = 24 * 60 * 60 * 1000;
const OUR_KEY = /^(\d{8})(?:\.(\d))?$/;
const DATED = /^\d{8}/;

function formatDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10).replaceAll("-", "");
}

function dayAfter(day: string): string {
  const time = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6)));
  return formatDay(time + DAY_MS);
}

/**
 * The version key of a new publish: greater, **as a string**, than every existing key,
 * because Juju sorts version keys descending as strings (juju-contract.md §4).
 *
 * `YYYYMMDD` (UTC) for the first publish of a day, then `YYYYMMDD.1` … `YYYYMMDD.9`. The
 * suffix stays one digit because `.10` would sort before `.9`; a tenth publish on one day
 * borrows the next day's key, which still sorts after all of them. A clock that went
 * backwards cannot produce a key older than the newest one either.
 */
export function nextVersionKey(now: Date, existing: Iterable<string>): string {
  let newest: string | undefined;
  for (const key of existing) if (newest === undefined || key > newest) newest = key;
  const today = formatDay(now.getTime());
  if (newest === undefined || today > newest.slice(0, 8)) return today;
  const ours = OUR_KEY.exec(newest);
  if (ours?.[1] === undefined) {
    return DATED.test(newest) ? dayAfter(newest.slice(0, 8)) : `${newest}.1`;
  }
  const suffix = ours[2] === undefined ? 0 : Number(ours[2]);
  return suffix < 9 ? `${ours[1]}.${suffix + 1}` : dayAfter(ours[1]);
}
