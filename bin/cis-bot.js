#!/usr/bin/env node
// The CLI entry. `npm ci` builds dist/ through the `prepare` script, so `npx cis-bot` works right after install.
require('../dist/adapters/cli/main.js');
