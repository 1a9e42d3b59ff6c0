"""Notices (信息沟通): the secretariat's messages to all experts or a filtered group."""
