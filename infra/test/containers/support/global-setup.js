// Before the container suite: remove what an interrupted run left, and start this run's findings afresh.
import { clearFindings } from './render-proofs.js';
import { removeTestResources } from './remove-test-resources.js';

export default function globalSetup() {
  removeTestResources();
  clearFindings();
}
