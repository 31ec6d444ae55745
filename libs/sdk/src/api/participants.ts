import type {
  Attestations,
  AttestedParticipant,
  OffboardedParticipant,
  OffboardingImpact,
  Participant,
  ParticipantStatus,
} from './dto.js';
import { Session } from './session.js';

/** Registry: onboarding, suspension and attestations of participants (consortium admin). */
export class ParticipantCalls extends Session {
  onboard(participant: Record<string, unknown>) {
    return this.call<Participant>('registry', 'POST', '/participants', participant);
  }
  /** Consortium admin: every participant, with status, attestations and offboarding. */
  participants() {
    return this.call<Participant[]>('registry', 'GET', '/participants');
  }
  /** One participant: yourself, or anyone as the consortium admin. */
  participant(id: string) {
    return this.call<Participant>('registry', 'GET', `/participants/${id}`);
  }
  suspendParticipant(id: string) {
    return this.call<ParticipantStatus>('registry', 'POST', `/participants/${id}/suspend`);
  }
  /** Consortium admin: attests a participant's certifications and protection level (the policies read them). */
  attestParticipant(id: string, attestations: Attestations) {
    return this.call<AttestedParticipant>(
      'registry',
      'PUT',
      `/participants/${id}/attestations`,
      attestations,
    );
  }
  reactivateParticipant(id: string) {
    return this.call<ParticipantStatus>('registry', 'POST', `/participants/${id}/reactivate`);
  }
  /** Consortium admin: what offboarding would do to the participant's grants (clearing answers). */
  offboardingImpact(id: string) {
    return this.call<OffboardingImpact>('clearing', 'GET', `/participants/${id}/offboarding-impact`);
  }
  /** Consortium admin: offboards a participant for good; clearing then revokes its live grants. */
  offboardParticipant(id: string, reason: string) {
    return this.call<OffboardedParticipant>('registry', 'POST', `/participants/${id}/offboard`, { reason });
  }
}
