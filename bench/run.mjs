// `npm run bench`: every bench script in this folder, one after the other (never in parallel,
// so one does not slow another).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const scripts = readdirSync(import.meta.dirname).filter((f) => f.endsWith('.mjs') && !['run.mjs', 'stats.mjs'].includes(f)).sort();
for (const s of scripts) await import(pathToFileURL(join(import.meta.dirname, s)).href);
