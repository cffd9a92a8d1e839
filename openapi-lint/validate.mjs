// swagger-parser's validate: the OpenAPI 3.1 schema of the document plus its $refs.
// Prints every error it reports and exits 1 when there is one.
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2];
try {
  const api = await SwaggerParser.validate(file);
  console.log(`swagger-parser: ${file} is valid (OpenAPI ${api.openapi}, ${Object.keys(api.paths ?? {}).length} paths), 0 errors`);
} catch (err) {
  const details = Array.isArray(err.details) ? err.details : [];
  for (const d of details) {
    console.log(`  ${(d.instancePath ?? d.path ?? "")} ${d.message ?? JSON.stringify(d)}`);
  }
  console.log(`swagger-parser: ${details.length || 1} errors: ${err.message.split("\n")[0]}`);
  process.exit(1);
}
