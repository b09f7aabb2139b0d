// `npm run env:example`: regenerates .env.example from the config field table.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvExample } from '../src/main/config/config';

writeFileSync(join(__dirname, '..', '.env.example'), renderEnvExample());
console.log('.env.example written');
