/** The `--svm` choice and the iteration limit shared by the evaluation commands. */
import { DEFAULT_SVM, SVM_KINDS, type SvmKind } from '../eval/classifier';

export const SVM_FLAGS = {
  svm: {
    type: 'string',
    default: DEFAULT_SVM,
    choices: SVM_KINDS,
    help: "svc: sklearn SVC(kernel='linear') as libsvm (one-vs-one, the reference's); linearsvc: sklearn LinearSVC (liblinear, one-vs-rest, squared hinge)",
  },
  'max-iter': {
    type: 'int',
    min: 1,
    help: 'svc: SMO iterations per class pair (default: no limit, as sklearn); linearsvc: outer iterations per one-vs-rest problem (default 1000)',
  },
} as const;

/** The warning when a solver stopped at its limit (SVC has none unless --max-iter sets one). */
export function convergenceWarning(command: string, kind: SvmKind, maxIter: number | undefined): string {
  return `crosspoint ${command}: warning: the SVM (${kind}) did not converge in ${maxIter ?? 1000} iterations\n`;
}
