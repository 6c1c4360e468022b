// `node --import ./register.mjs dist/app/main.js`: main.js's `import … from 'electron'` gets the stand-in.
import { register } from 'node:module';

register('./electron-hook.mjs', import.meta.url);
