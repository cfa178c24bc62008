// Starts the orders service.
import { createLogger, startServer } from '../../src/index.js';

import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createStore } from './store.js';

const config = loadConfig();
const logger = createLogger({ service: 'orders', level: config.LOG_LEVEL });
const store = createStore();

await startServer(createApp({ logger, store }), {
  port: config.PORT,
  host: config.HOST,
  logger,
  onShutdown: () => store.close(),
  // startServer has already logged why (e.g. "port 4100 is already in use"); exit so the orchestrator sees it.
}).catch(() => process.exit(1));
