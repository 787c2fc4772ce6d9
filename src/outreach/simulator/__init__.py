"""Local simulation of the real state machine and handlers on moto, under a discrete-event virtual clock."""
