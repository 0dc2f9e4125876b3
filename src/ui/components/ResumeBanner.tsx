import { formatClock } from '../format';
import { useApp } from '../store';

/** After a reload that interrupted training: go on from the autosave, or start afresh. */
export function ResumeBanner() {
  const offer = useApp((s) => s.resumeOffer);
  const { resume, discardResume } = useApp.getState();
  if (!offer) return null;
  return (
    <section className="resume-banner" aria-label="Resume training">
      <span>
        Resume training from step {offer.step} (autosaved {formatClock(offer.savedAt, false)})?
      </span>
      <button type="button" className="primary" onClick={() => void resume()}>
        Resume
      </button>
      <button type="button" onClick={discardResume}>
        Discard
      </button>
    </section>
  );
}
