//! `spelunk lint`: placeholder.
