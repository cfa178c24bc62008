// Validates generated Kubernetes YAML against the Kubernetes OpenAPI schemas (kubernetes-models' validators):
// every document must be a kind Airlock generates, and must validate as that kind.
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parseAllDocuments } from 'yaml';

interface ValidatingModel {
  validate(): void;
}

const MODELS: Readonly<Record<string, (data: object) => ValidatingModel>> = {
  'v1/Namespace': (data) => new Namespace(data),
  'v1/ServiceAccount': (data) => new ServiceAccount(data),
  'v1/PersistentVolumeClaim': (data) => new PersistentVolumeClaim(data),
  'v1/Service': (data) => new Service(data),
  'apps/v1/Deployment': (data) => new Deployment(data),
  'policy/v1/PodDisruptionBudget': (data) => new PodDisruptionBudget(data),
  'networking.k8s.io/v1/NetworkPolicy': (data) => new NetworkPolicy(data),
};

/** Every object of a multi-document YAML text, as plain data. Throws on a YAML error. */
export function parseManifests(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((document, index) => {
    if (document.errors.length > 0) throw new Error(`document ${index + 1}: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`document ${index + 1} is not an object`);
    }
    return value as Record<string, unknown>;
  });
}

/** The problems of each invalid document, as `<kind>/<name>: <reason>`; empty when all validate. */
export function manifestProblemsOf(text: string): string[] {
  let objects: Record<string, unknown>[];
  try {
    objects = parseManifests(text);
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
  return objects.flatMap((object) => {
    const type = `${String(object.apiVersion)}/${String(object.kind)}`;
    const name = (object.metadata as { name?: unknown } | undefined)?.name;
    const model = MODELS[type];
    if (model === undefined) return [`${type} ${String(name)}: not a kind Airlock generates`];
    try {
      model(object).validate();
      return [];
    } catch (error) {
      return [`${type} ${String(name)}: ${error instanceof Error ? error.message : String(error)}`];
    }
  });
}
