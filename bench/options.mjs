// Command-line options of the benchmark scripts: `--name value` for each key of `defaults`
// (numbers parsed, booleans as bare flags), `--help`, and `--atajo` required.
export function parseOptions(usage, defaults, argv = process.argv.slice(2)) {
  const opts = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      console.log(usage);
      process.exit(0);
    }
    const key = a.replace(/^--/, "");
    if (!(key in opts)) {
      console.error(`unknown option ${a}\n${usage}`);
      process.exit(2);
    }
    if (typeof opts[key] === "boolean") opts[key] = true;
    else opts[key] = typeof opts[key] === "number" ? Number(argv[++i]) : argv[++i];
  }
  if ("atajo" in opts && !opts.atajo) {
    console.error(usage);
    process.exit(2);
  }
  return opts;
}
