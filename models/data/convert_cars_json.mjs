// SPDX-License-Identifier: MIT
// Converts data/cars.json of the npm package vega-datasets into auto-mpg.csv (run once by hand;
// nothing downloads at build or run time). Usage, from a directory of your choice:
//   npm pack vega-datasets@3.2.1 && tar xzf vega-datasets-3.2.1.tgz
//   node /path/to/models/data/convert_cars_json.mjs package/data/cars.json /path/to/models/data/auto-mpg.csv
// Rows whose Miles_per_Gallon or Horsepower is null are dropped and listed on stderr.
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node convert_cars_json.mjs <cars.json> <auto-mpg.csv>');
  process.exit(2);
}

const rows = JSON.parse(readFileSync(input, 'utf8'));

// A CSV field: quoted (with doubled inner quotes) only when it holds a comma, a quote or a newline.
function field(value) {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function number(row, key) {
  const value = row[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${row.Name}: ${key} is not a number: ${JSON.stringify(value)}`);
  }
  return String(value);
}

function year(row) {
  const match = /^(\d{4})-01-01$/.exec(row.Year);
  if (!match) throw new Error(`${row.Name}: unexpected Year ${JSON.stringify(row.Year)}`);
  return match[1];
}

const lines = ['name,mpg,cylinders,displacement,horsepower,weight,acceleration,year,origin'];
const dropped = [];
for (const row of rows) {
  const missing = ['Miles_per_Gallon', 'Horsepower'].filter((key) => row[key] == null);
  if (missing.length > 0) {
    dropped.push(`${row.Name} (${year(row)}): no ${missing.join(', no ')}`);
    continue;
  }
  lines.push([
    field(row.Name),
    number(row, 'Miles_per_Gallon'),
    number(row, 'Cylinders'),
    number(row, 'Displacement'),
    number(row, 'Horsepower'),
    number(row, 'Weight_in_lbs'),
    number(row, 'Acceleration'),
    year(row),
    field(row.Origin),
  ].join(','));
}

writeFileSync(output, lines.join('\n') + '\n');
console.error(`read ${rows.length} rows, wrote ${lines.length - 1}, dropped ${dropped.length}:`);
for (const line of dropped) console.error(`  ${line}`);
