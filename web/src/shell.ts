// Quoting a name for the shell, so explorer actions become the commands they stand for.
export function quote(name: string): string {
  if (/^[A-Za-z0-9_./-]+$/.test(name) && !name.startsWith("-")) return name;
  return `'${name.replace(/'/g, `'\\''`)}'`;
}

/// The `cd` argument that goes from folder `from` to folder `to` (both root-relative).
export function relativeCd(from: string, to: string): string {
  const a = from ? from.split("/") : [];
  const b = to ? to.split("/") : [];
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  const up = a.slice(common).map(() => "..");
  const down = b.slice(common);
  const parts = [...up, ...down];
  return parts.length ? parts.map(quote).join("/") : ".";
}
