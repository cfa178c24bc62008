// After the container suite, whatever happened in it: remove anything labelled airlock.test=true, then render
// docs/proofs.md from the findings.
import { renderProofReport } from './render-proofs.js';
import { removeTestResources } from './remove-test-resources.js';

export default function globalTeardown() {
  try {
    removeTestResources();
  } finally {
    renderProofReport();
  }
}
