//! The phone system: ninety minutes down, and a call cut off when it goes.

use fanatical::actor::Actor;
use fanatical::channel::ChannelAction;
use fanatical::channel::{Channel, ChannelKind};

use fanatical::desk::{Command, InboundMessage};

use super::super::cast::CROWD;
use super::super::{Day, Result, local};

impl Day {
    pub(crate) fn script_phone_outage(&mut self) -> Result<()> {
        let c = self.cast;
        let s = self.stories.clone();
        // A call at 12:55 is cut off when the phones go down; its answer
        // goes out on the caller's fallback.
        let caller = self
            .people
            .iter()
            .skip(CROWD)
            .find(|p| p.x.is_some() && p.component == "lon3")
            .cloned()
            .ok_or("no caller with an X handle")?;
        self.inbound(
            local(12, 55),
            InboundMessage::new(
                s.dropped_call,
                Channel::Phone,
                caller.phone,
                "Backup restore stuck at 40%",
            ),
        );
        self.at(local(13, 0), |d, now| {
            d.exec(
                Command::new(
                    Actor::integration("phone-monitor"),
                    ChannelAction::MarkDown {
                        channel: ChannelKind::Phone,
                        reason: "carrier outage at the Chicago point of presence".into(),
                    },
                ),
                now,
            )?;
            let offered: Vec<String> = d
                .desk
                .channels()
                .offered(ChannelKind::Phone)
                .iter()
                .map(ToString::to_string)
                .collect();
            d.log.push((
                now,
                format!(
                    "the phone system goes down; contacts are offered {}",
                    offered.join(", ")
                ),
            ));
            Ok(())
        });
        self.answer(
            local(13, 10),
            s.dropped_call,
            c.ana,
            "Sorry we got cut off — the restore is running again from the last good snapshot.",
        );
        self.at(local(14, 30), |d, now| {
            d.exec(
                Command::new(
                    Actor::integration("phone-monitor"),
                    ChannelAction::MarkUp {
                        channel: ChannelKind::Phone,
                    },
                ),
                now,
            )?;
            d.log.push((now, "the phone system is back".into()));
            Ok(())
        });
        Ok(())
    }
}
