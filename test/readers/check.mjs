// check.mjs reads a breachline export with readers that share no code with breachline's Go
// writer — apache-arrow (the JavaScript Arrow implementation) for Arrow IPC files, DuckDB for
// Parquet — and prints one JSON summary that a Go test compares with what was exported.
//
//   node check.mjs arrow FILE [--spot 0,1,99]
//   node check.mjs parquet FILE|DIR [--hive] [--order time,id] [--spot 0,1,99]
//
// Values are compared in a canonical text form both sides produce exactly (see Go's
// report/arrowout/arrowtest.Canonical): strings as they are, whole numbers in decimal, times as
// nanoseconds since the Unix epoch in decimal, booleans as true/false, null as null. The summary
// holds, per column, the SHA-256 of its values in row order ("N\n" for null,
// "V<utf-8 byte length>:<text>\n" otherwise), and the full canonical values of the --spot rows.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tableFromIPC, Type, TimeUnit } from 'apache-arrow';
import { DuckDBInstance, version as duckdbVersion } from '@duckdb/node-api';

// versionOf reads an installed package's version (apache-arrow's exports hide its package.json).
const versionOf = (name) => JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url))).version;

function usage(msg) {
  process.stderr.write(`check.mjs: ${msg}\nusage: node check.mjs arrow FILE [--spot i,j] | parquet PATH [--hive] [--order a,b] [--spot i,j]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const [kind, path, ...rest] = argv;
  if (!kind || !path) usage('missing arguments');
  const opts = { kind, path, hive: false, order: [], spot: [] };
  for (let i = 0; i < rest.length; i++) {
    switch (rest[i]) {
      case '--hive': opts.hive = true; break;
      case '--order': opts.order = rest[++i].split(',').filter(Boolean); break;
      case '--spot': opts.spot = rest[++i].split(',').filter(Boolean).map(Number); break;
      default: usage(`unknown option ${rest[i]}`);
    }
  }
  return opts;
}

// digests hashes each column's canonical values.
function digests(names, columns) {
  const out = {};
  names.forEach((name, c) => {
    const h = createHash('sha256');
    for (const v of columns[c]) {
      h.update(v === null ? 'N\n' : `V${Buffer.byteLength(v, 'utf8')}:${v}\n`, 'utf8');
    }
    out[name] = h.digest('hex');
  });
  return out;
}

function spots(columns, indices, rows) {
  const out = {};
  for (const i of indices) {
    if (i >= 0 && i < rows) out[i] = columns.map((col) => col[i]);
  }
  return out;
}

const nsPerUnit = {
  [TimeUnit.SECOND]: 1000000000n,
  [TimeUnit.MILLISECOND]: 1000000n,
  [TimeUnit.MICROSECOND]: 1000n,
  [TimeUnit.NANOSECOND]: 1n,
};

// arrowColumn returns a vector's values in canonical form. Timestamps are read from the raw
// int64 buffer: apache-arrow's get() turns them into float milliseconds and drops nanoseconds.
function arrowColumn(field, vector) {
  const out = [];
  const type = field.type;
  if (type.typeId === Type.Timestamp) {
    const mul = nsPerUnit[type.unit];
    for (const data of vector.data) {
      for (let j = 0; j < data.length; j++) {
        out.push(data.getValid(j) ? (BigInt(data.values[j]) * mul).toString() : null);
      }
    }
    return out;
  }
  for (let i = 0; i < vector.length; i++) {
    const v = vector.get(i);
    if (v === null || v === undefined) out.push(null);
    else if (typeof v === 'string') out.push(v);
    else if (typeof v === 'bigint' || typeof v === 'boolean' || typeof v === 'number') out.push(String(v));
    else throw new Error(`column ${field.name}: no canonical form for ${type} value ${v}`);
  }
  return out;
}

function checkArrow(opts) {
  const table = tableFromIPC(readFileSync(opts.path));
  const fields = table.schema.fields;
  const names = fields.map((f) => f.name);
  const columns = fields.map((f, i) => arrowColumn(f, table.getChildAt(i)));
  return {
    reader: `apache-arrow ${versionOf('apache-arrow')}`,
    rows: table.numRows,
    batches: table.batches.map((b) => b.numRows),
    columns: fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })),
    metadata: Object.fromEntries(table.schema.metadata),
    digests: digests(names, columns),
    spot: spots(columns, opts.spot, table.numRows),
  };
}

const q = (s) => `'${s.replaceAll("'", "''")}'`;
const ident = (s) => `"${s.replaceAll('"', '""')}"`;

// canonicalSQL turns a DuckDB column into its canonical text in SQL, so that no value passes
// through a JavaScript number or Date.
function canonicalSQL(name, type) {
  const col = ident(name);
  if (type.startsWith('TIMESTAMP')) return `CAST(epoch_ns(${col}) AS VARCHAR)`;
  if (type === 'VARCHAR') return col;
  return `CAST(${col} AS VARCHAR)`; // BIGINT, BOOLEAN (true/false), DATE (YYYY-MM-DD), JSON
}

async function checkParquet(opts) {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const all = async (sql) => (await conn.runAndReadAll(sql)).getRowsJS();
  const glob = opts.hive ? `${opts.path}/**/*.parquet` : opts.path;
  const files = (await all(`SELECT file FROM glob(${q(glob)}) ORDER BY file`)).map((r) => r[0]);
  if (files.length === 0) throw new Error(`no Parquet files at ${glob}`);
  const src = `read_parquet(${q(glob)}, hive_partitioning = ${opts.hive})`;
  const described = await all(`DESCRIBE SELECT * FROM ${src}`);
  const names = described.map((r) => r[0]);
  const types = described.map((r) => r[1]);
  const order = opts.order.length ? ` ORDER BY ${opts.order.map(ident).join(', ')}` : '';
  const rows = await all(`SELECT ${names.map((n, i) => canonicalSQL(n, types[i])).join(', ')} FROM ${src}${order}`);
  const columns = names.map((_, c) => rows.map((r) => r[c]));
  const first = q(files[0]);
  const metadata = Object.fromEntries(await all(`SELECT decode(key), decode(value) FROM parquet_kv_metadata(${first}) WHERE decode(key) <> 'ARROW:schema'`));
  const [[createdBy]] = await all(`SELECT created_by FROM parquet_file_metadata(${first})`);
  const codecs = (await all(`SELECT DISTINCT compression FROM parquet_metadata(${q(glob)}) ORDER BY 1`)).map((r) => r[0]);
  const root = opts.hive ? opts.path.replace(/\/+$/, '') + '/' : '';
  return {
    reader: `duckdb ${duckdbVersion()}`,
    rows: rows.length,
    files: opts.hive ? files.map((f) => f.slice(root.length)) : undefined,
    columns: names.map((n, i) => ({ name: n, type: types[i] })),
    metadata,
    created_by: createdBy,
    compression: codecs,
    digests: digests(names, columns),
    spot: spots(columns, opts.spot, rows.length),
  };
}

const opts = parseArgs(process.argv.slice(2));
let summary;
switch (opts.kind) {
  case 'arrow': summary = checkArrow(opts); break;
  case 'parquet': summary = await checkParquet(opts); break;
  default: usage(`unknown kind ${opts.kind}`);
}
process.stdout.write(JSON.stringify(summary) + '\n');
