/** Child-process entry for the bounded-memory test: generate, print the summary counts as JSON. */
import { generateDemo } from '../../../functions/generator/index.js';

const [outDir, dossiers] = process.argv.slice(2);
if (!outDir || !dossiers) throw new Error('usage: run-generator.ts <outDir> <dossiers>');
const s = await generateDemo({ outDir, dossiers: Number(dossiers), seed: 1 });
process.stdout.write(JSON.stringify({ dossiers: s.dossiers, files: s.files.length, totalBytes: s.totalBytes }));
