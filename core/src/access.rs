//! Access questions on verified claims: may this bearer join room R as participant P, must it
//! ask first, may it moderate, may it call the server API. `roomId` and `participantId` scope a
//! token when present; `rtc` limits it to meetings and `crawler` to the server API.

use core::fmt;

use crate::claims::{Permission, Role};
use crate::token_claims::VerifiedClaims;

/// How a participant may enter a meeting.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Join {
    /// `allow_join`: straight in.
    Directly,
    /// `ask_join` without `allow_join`: must ask and be let in.
    AfterAsking,
}

/// Why a verified token does not allow what was asked.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// Returned when the token's `roomId` names another room.
    OtherRoom,
    /// Returned when the token's `participantId` names another participant.
    OtherParticipant,
    /// Returned when the token's roles allow the server API only (`crawler` without `rtc`).
    ServerApiOnly,
    /// Returned when the token's roles allow meetings only (`rtc` without `crawler`).
    MeetingOnly,
    /// Returned when the token has neither `allow_join` nor `ask_join`.
    NoJoinPermission,
    /// Returned when the token lacks `allow_mod`.
    NoModeratePermission,
    /// Returned when the token's roles are all names this crate does not know (VideoSDK's
    /// examples sign `"CRAWLER"` and `"PUBLISHER"`): they grant nothing.
    UnknownRolesOnly,
}

impl Refusal {
    /// The fixed message for this refusal, as `Display` prints it.
    #[must_use]
    pub const fn message(&self) -> &'static str {
        match self {
            Self::OtherRoom => "token is for another room",
            Self::OtherParticipant => "token is for another participant",
            Self::ServerApiOnly => "token is for the server API only (role crawler)",
            Self::MeetingOnly => "token is for meetings only (role rtc)",
            Self::NoJoinPermission => "token has neither allow_join nor ask_join",
            Self::NoModeratePermission => "token lacks allow_mod",
            Self::UnknownRolesOnly => "token's roles are unknown here and grant nothing",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for Refusal {}

impl VerifiedClaims<'_> {
    /// Why the roles forbid something: `known` (the other role) when the token holds it,
    /// otherwise only unknown names, which grant nothing.
    fn roles_refusal(&self, other: Role, known: Refusal) -> Refusal {
        if self.claims().roles().contains(&other) {
            known
        } else {
            Refusal::UnknownRolesOnly
        }
    }

    fn check_scope(
        &self,
        room_id: Option<&str>,
        participant_id: Option<&str>,
    ) -> Result<(), Refusal> {
        let claims = self.claims();
        if let (Some(bound), Some(asked)) = (claims.room_id(), room_id)
            && bound != asked
        {
            return Err(Refusal::OtherRoom);
        }
        if let (Some(bound), Some(asked)) = (claims.participant_id(), participant_id)
            && bound != asked
        {
            return Err(Refusal::OtherParticipant);
        }
        Ok(())
    }

    /// May the bearer join meeting `room_id` as a meeting client, as `participant_id` when
    /// given (a token bound to a participant is that participant)?
    ///
    /// # Errors
    /// The [`Refusal`] that stops it.
    pub fn join(&self, room_id: &str, participant_id: Option<&str>) -> Result<Join, Refusal> {
        let claims = self.claims();
        if !claims.allows_meetings() {
            return Err(self.roles_refusal(Role::Crawler, Refusal::ServerApiOnly));
        }
        self.check_scope(Some(room_id), participant_id)?;
        if claims.permissions().contains(&Permission::AllowJoin) {
            Ok(Join::Directly)
        } else if claims.permissions().contains(&Permission::AskJoin) {
            Ok(Join::AfterAsking)
        } else {
            Err(Refusal::NoJoinPermission)
        }
    }

    /// May the bearer moderate meeting `room_id` (remove participants, toggle their media)?
    ///
    /// # Errors
    /// The [`Refusal`] that stops it.
    pub fn moderate(&self, room_id: &str, participant_id: Option<&str>) -> Result<(), Refusal> {
        let claims = self.claims();
        if !claims.allows_meetings() {
            return Err(self.roles_refusal(Role::Crawler, Refusal::ServerApiOnly));
        }
        self.check_scope(Some(room_id), participant_id)?;
        if claims.permissions().contains(&Permission::AllowMod) {
            Ok(())
        } else {
            Err(Refusal::NoModeratePermission)
        }
    }

    /// May the bearer call the v2 server API, about `room_id` when given?
    ///
    /// # Errors
    /// The [`Refusal`] that stops it.
    pub fn call_server_api(&self, room_id: Option<&str>) -> Result<(), Refusal> {
        if !self.claims().allows_server_api() {
            return Err(self.roles_refusal(Role::Rtc, Refusal::MeetingOnly));
        }
        self.check_scope(room_id, None)
    }
}
