"""Helpers shared by every test folder: the jobs' runtime, staff headers and Twilio SIDs."""
