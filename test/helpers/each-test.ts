import { afterEach } from 'vitest';
import { releaseIdle } from './db.js';

// Embedded databases kept open between a test's commands (db.ts `openKept`) close with it.
afterEach(releaseIdle);
