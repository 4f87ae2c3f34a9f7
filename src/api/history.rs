//! The account's own history: one row per sign-in or change, written in the transaction of the
//! change, for the owner's export (`GET /me/export`).

use super::ctx::Ctx;
use super::error::ApiError;
use crate::domain::ids::UserId;
use crate::store::Tx;

pub fn record(ctx: &Ctx, tx: &Tx<'_>, user_id: &UserId, kind: &str) -> Result<(), ApiError> {
    let id = ctx.new_id()?;
    tx.record_account_event(&id, user_id, kind, ctx.client_addr()?, ctx.now)?;
    Ok(())
}
