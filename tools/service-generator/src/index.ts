// Public entry of @airlock/service-generator: the answers, the plan, its edits and the whole generation.
export { answersFrom, parseAnswers, type NewZoneKind, type ServiceAnswers } from './answers.js';
export { GeneratorError, type GeneratorErrorCode } from './generator-error.js';
export { applyPlan, planService, type ServicePlan } from './plan-service.js';
export { editTopologySource } from './edit-topology-source.js';
export { copyTemplate, formatTree, renameIn, TEMPLATE_NAME, topologyModuleOf } from './copy-template.js';
export { generateService, TEMPLATE_DIR, TOPOLOGY_FILE, type GenerateOptions } from './generate-service.js';
export { promptArgsOf, SERVICE_PROMPTS, type ServicePrompt } from './prompts.js';
