// Every task runner, registered on import (the eval library and its worker threads import this).
import './drone-runner.ts';
import './lane-runner.ts';

export { registerTask, taskRunner, type EpisodeResult, type TaskRunner } from './registry.ts';
