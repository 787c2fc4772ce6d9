"""Pure domain logic of Outreach: no AWS, no I/O, no clock. Everything takes ``now`` as an argument."""
