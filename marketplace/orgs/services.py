"""Organisation writes: registration, profile, members, invitations and profile claims.

Each public function is one transaction and commits once.
"""

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.accounts.tokens import InvalidToken, make_token, read_token
from marketplace.audit.services import record_audit
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.mail.services import queue_mail
from marketplace.orgs import rules
from marketplace.orgs.geography import province_for_postcode
from marketplace.orgs.kbo import normalise_kbo
from marketplace.orgs.models import SOCIAL_KINDS, Invitation, Membership, Organisation, ProfileClaim
from marketplace.orgs.nace import normalise_nace
from marketplace.search.models import record_change

INVITE = "invitation"
PROFILE_FIELDS = ("name", "description", "municipality", "size_class")


class OrganisationExists(ValueError):
    """The enterprise number is on Werkbrug already."""

    def __init__(self, organisation: Organisation):
        super().__init__(organisation.kbo)
        self.organisation = organisation


class LastOwner(ValueError):
    """The change would leave the organisation without an owner."""


class AlreadyMember(ValueError):
    """The person belongs to the organisation already."""


class WrongRecipient(ValueError):
    """The invitation was sent to another e-mail address."""


class ClaimNotPossible(ValueError):
    """The organisation cannot be claimed (not imported, or a claim is pending)."""


def find_by_kbo(kbo: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.kbo == kbo))


def _apply_profile(organisation: Organisation, data: dict) -> None:
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(organisation, name, (data[name] or "").strip())
    organisation.postcode = data["postcode"].strip()
    organisation.province = province_for_postcode(organisation.postcode)
    organisation.nace = normalise_nace(data.get("nace", ""))
    organisation.website = rules.normalise_website(data.get("website", ""))
    declared = bool(data.get("is_eligible_declared")) and organisation.kind in SOCIAL_KINDS
    if declared != organisation.is_eligible_declared:
        # A changed declaration needs a new confirmation by an administrator.
        organisation.eligibility_confirmed_at = None
    organisation.is_eligible_declared = declared


def register_organisation(user: User, data: dict) -> Organisation:
    """Create a pending organisation with `user` as its owner; OrganisationExists when the number is taken."""
    kbo = normalise_kbo(data["kbo"])
    existing = find_by_kbo(kbo)
    if existing is not None:
        raise OrganisationExists(existing)
    organisation = Organisation(kbo=kbo, kind=data["kind"], verification_state="pending", is_imported=False)
    _apply_profile(organisation, data)
    db.session.add(organisation)
    try:
        db.session.flush()
    except IntegrityError:
        # Someone registered the same number a moment ago.
        db.session.rollback()
        raise OrganisationExists(find_by_kbo(kbo)) from None
    db.session.add(Membership(user_id=user.id, organisation_id=organisation.id, role="owner"))
    record_change("organisation", organisation.id)
    record_audit("organisation.registered", organisation, detail=f"kbo {kbo}", actor_id=user.id)
    db.session.commit()
    return organisation


def update_organisation(organisation: Organisation, data: dict) -> None:
    """Save an owner's changes to the profile; a rejected registration goes back to the queue."""
    _apply_profile(organisation, data)
    if organisation.verification_state == "rejected":
        organisation.verification_state = "pending"
    record_change("organisation", organisation.id)
    record_audit("organisation.updated", organisation)
    db.session.commit()


def _queue_to_user(user: User, subject, template: str, **context) -> None:
    """Mail a user in their own language (`subject` is a lazy string, translated here)."""
    with force_locale(user.locale or "nl"):
        queue_mail(user.email, str(subject), template, user=user, **context)


def owners_of(organisation: Organisation) -> list[User]:
    return [m.user for m in organisation.memberships if m.role == "owner"]


def invite_member(organisation: Organisation, email: str, role: str, inviter: User) -> Invitation:
    """Invite someone by e-mail; an earlier open invitation to the same address is replaced."""
    email = email.strip().lower()
    is_member = db.session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == organisation.id, func.lower(User.email) == email)
    )
    if is_member:
        raise AlreadyMember(email)
    db.session.execute(
        update(Invitation)
        .where(
            Invitation.organisation_id == organisation.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    invitation = Invitation(organisation_id=organisation.id, email=email, role=role, invited_by_id=inviter.id)
    db.session.add(invitation)
    db.session.flush()
    token = make_token(INVITE, {"invitation_id": invitation.id, "email": email})
    with force_locale(inviter.locale or "nl"):
        queue_mail(
            email,
            _("Uitnodiging voor %(name)s op Werkbrug", name=organisation.name),
            "org_invitation",
            organisation=organisation,
            inviter=inviter,
            link=url_for("orgs.accept_invitation", token=token, _external=True),
        )
    record_audit("invitation.sent", organisation, detail=f"{email} as {role}")
    db.session.commit()
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The open invitation a link is for, or InvalidToken (tampered, expired, used or revoked)."""
    payload = read_token(INVITE, token)
    invitation = db.session.get(Invitation, payload.get("invitation_id"))
    if (
        invitation is None
        or invitation.email != payload.get("email")
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
    ):
        raise InvalidToken("invitation used or revoked")
    return invitation


def accept_invitation(user: User, invitation: Invitation) -> Membership:
    """Join the organisation; only the person the invitation was mailed to may."""
    if user.email.lower() != invitation.email.lower():
        raise WrongRecipient(invitation.email)
    invitation.accepted_at = utcnow()
    membership = user.membership_of(invitation.organisation_id)
    if membership is None:
        membership = Membership(user_id=user.id, organisation_id=invitation.organisation_id, role=invitation.role)
        db.session.add(membership)
    if user.email_confirmed_at is None:
        # The link arrived in this mailbox, which confirms the address.
        user.email_confirmed_at = utcnow()
    record_audit("invitation.accepted", invitation.organisation, detail=invitation.email, actor_id=user.id)
    db.session.commit()
    return membership


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        record_audit("invitation.revoked", invitation.organisation, detail=invitation.email)
        db.session.commit()


def change_role(membership: Membership, role: str) -> None:
    if role != "owner" and not rules.can_leave_owner_role(membership):
        raise LastOwner(membership.id)
    if membership.role != role:
        membership.role = role
        record_audit("membership.role_changed", membership.organisation, detail=f"user {membership.user_id}: {role}")
        db.session.commit()


def remove_member(membership: Membership) -> None:
    if not rules.can_leave_owner_role(membership):
        raise LastOwner(membership.id)
    organisation = membership.organisation
    record_audit("membership.removed", organisation, detail=f"user {membership.user_id}")
    db.session.delete(membership)
    db.session.commit()


def request_claim(user: User, organisation: Organisation, evidence: str) -> ProfileClaim:
    """Ask to take over an imported profile; an administrator decides."""
    if not organisation.is_imported:
        raise ClaimNotPossible("not imported")
    pending = db.session.scalar(
        select(ProfileClaim.id).where(
            ProfileClaim.organisation_id == organisation.id,
            ProfileClaim.user_id == user.id,
            ProfileClaim.state == "pending",
        )
    )
    if pending:
        raise ClaimNotPossible("already pending")
    claim = ProfileClaim(organisation_id=organisation.id, user_id=user.id, evidence=evidence.strip())
    db.session.add(claim)
    db.session.flush()
    record_audit("claim.requested", claim, detail=f"organisation {organisation.id}", actor_id=user.id)
    db.session.commit()
    return claim


def approve_claim(claim: ProfileClaim) -> None:
    """The claimant becomes owner and the profile is no longer an unclaimed import; other claims are rejected."""
    organisation = claim.organisation
    claim.state = "approved"
    claim.decided_at = utcnow()
    membership = claim.user.membership_of(organisation.id)
    if membership is None:
        db.session.add(Membership(user_id=claim.user_id, organisation_id=organisation.id, role="owner"))
    else:
        membership.role = "owner"
    organisation.is_imported = False
    others = db.session.scalars(
        select(ProfileClaim).where(
            ProfileClaim.organisation_id == organisation.id,
            ProfileClaim.state == "pending",
            ProfileClaim.id != claim.id,
        )
    ).all()
    for other in others:
        other.state = "rejected"
        other.decided_at = utcnow()
        _queue_to_user(
            other.user,
            _l("Uw aanvraag om een profiel over te nemen"),
            "claim_rejected",
            organisation=organisation,
            reason=_l("Iemand anders van de organisatie nam het profiel al over."),
        )
    record_change("organisation", organisation.id)
    record_audit("claim.approved", claim, detail=f"organisation {organisation.id}, user {claim.user_id}")
    _queue_to_user(
        claim.user,
        _l("U beheert nu het profiel van uw organisatie"),
        "claim_approved",
        organisation=organisation,
        link=url_for("orgs.settings", _external=True),
    )
    db.session.commit()


def reject_claim(claim: ProfileClaim, reason: str) -> None:
    claim.state = "rejected"
    claim.decided_at = utcnow()
    record_audit("claim.rejected", claim, detail=reason)
    _queue_to_user(
        claim.user,
        _l("Uw aanvraag om een profiel over te nemen"),
        "claim_rejected",
        organisation=claim.organisation,
        reason=reason,
    )
    db.session.commit()
